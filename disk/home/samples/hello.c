#include <stdio.h>

int main(void)
{
	printf("hello from fs:///disk\n");
	return 0;
}
